// page.js - "my QR code" (#/me/qr): the worker's own short-lived code that
// staff scan at the lending desk, at check-in, for a visit or a volunteer
// shift. No header link of its own (at 360 px the header is full): "me"
// and the lending page link it; its pages mark "我的" current.
import words from './words.js';
import { myQrView } from './myqr.js';

export default {
  id: 'myqr',
  words,
  routes: { '/me/qr': myQrView },
  section: 'me',
};
