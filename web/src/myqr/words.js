// words.js - "my QR code" (#/me/qr). Every key starts with "mq": keys are global.

export default {
  zh: {
    mqTitle: '我的二维码',
    mqLead: '请工作人员扫这个码：借还物品、预约签到、到站登记、志愿者签到都用它。',
    mqRenews: '二维码会自动更新，剩余',
    mqExpired: '二维码已过期，正在更新……',
    mqCodeLabel: '也可以把这串码念给工作人员：',
    mqQrLabel: '我的二维码，请工作人员扫描',
    mqRetry: '重新获取',
    mqBright: '阳光下扫不出时，请把屏幕调亮，并避开反光。',
  },
  en: {
    mqTitle: 'My QR code',
    mqLead: 'Staff scan this code to lend or take back things, check in a booking, log a visit or check a volunteer in.',
    mqRenews: 'The code renews itself; time left',
    mqExpired: 'The code has expired; renewing…',
    mqCodeLabel: 'Or read this code out to staff:',
    mqQrLabel: 'My QR code, for staff to scan',
    mqRetry: 'Try again',
    mqBright: 'If it will not scan in sunlight, turn the screen brighter and avoid glare.',
  },
};
