// words.js - the camera scanner's words (scanner.js), shared by every
// page that scans a QR code. Every key starts with "sc".

export default {
  zh: {
    scOpenCamera: '打开摄像头扫码',
    scNoCamera: '这台设备用不了摄像头。请在下面输入码。',
    scCameraDenied: '没有摄像头权限。请在浏览器设置里允许使用摄像头，或在下面输入码。',
    scCameraFailed: '摄像头打不开。请在下面输入码。',
    scStarting: '正在打开摄像头…',
    scAim: '把二维码放进框里',
    scCloseCamera: '关闭摄像头',
    scScanWorker: '扫对方的二维码',
  },
  en: {
    scOpenCamera: 'Open the camera to scan',
    scNoCamera: 'This device has no camera to use. Type the code below.',
    scCameraDenied: 'The camera is not allowed. Allow it in the browser’s settings, or type the code below.',
    scCameraFailed: 'The camera could not be opened. Type the code below.',
    scStarting: 'Opening the camera…',
    scAim: 'Hold the QR code inside the frame',
    scCloseCamera: 'Close the camera',
    scScanWorker: 'Scan their QR code',
  },
};
