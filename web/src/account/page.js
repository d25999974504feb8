// page.js - the account feature: sign in, register, "me", the privacy
// notice; the header link is "我的" when signed in, "登录" when not; a
// session that ends under the person sends them to sign in (ended.js).
import words from './words.js';
import { loginView, loginTotpView, registerView } from './signin.js';
import { meView } from './me.js';
import { privacyView } from './privacy.js';
import { watchSessionEnd } from './ended.js';

export default {
  id: 'account',
  words,
  routes: {
    '/login': loginView,
    '/login/totp': loginTotpView,
    '/register': registerView,
    '/me': meView,
    '/privacy': privacyView,
  },
  nav: {
    id: 'me',
    icon: 'user',
    word: (me) => (me ? 'me' : 'signIn'),
    href: (me) => (me ? '/me' : '/login'),
  },
  start: watchSessionEnd,
};
