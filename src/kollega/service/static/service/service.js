// Progressive enhancement for the intake: show the emergency numbers the moment someone
// answers yes to acute risk, so screen readers announce them (role="alert").
(function () {
  "use strict";
  var box = document.getElementById("emergency-urgent");
  if (!box) { return; }
  function update() {
    var yes = document.querySelector('input[name="acute_risk"][value="yes"]');
    box.hidden = !(yes && yes.checked);
  }
  document.querySelectorAll('input[name="acute_risk"]').forEach(function (input) {
    input.addEventListener("change", update);
  });
  update();
}());
