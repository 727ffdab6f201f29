// The till's camera scanner: where the browser can read QR codes (BarcodeDetector), a button
// shows up beside the card field; the camera's picture stays in this page, nothing is sent
// anywhere but the code typed into the field.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  document.querySelectorAll("button.scan").forEach(function (button) {
    var field = document.getElementById(button.dataset.for);
    var video = document.getElementById("scan-video");
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              field.value = codes[0].rawValue.slice(-9);
              stream.getTracks().forEach(function (track) { track.stop(); });
              video.hidden = true;
              field.focus();
            } else {
              window.requestAnimationFrame(look);
            }
          }, function () { window.requestAnimationFrame(look); });
        };
        look();
      });
    });
  });
})();
