/* Citizen form, progressive enhancement only: the form works the same without this file.
   1. Tell the server that this browser runs scripts (it then keeps questions revealed by an
      answer on the same page instead of moving them to the next one).
   2. When an answer has revealed new questions, bring the first one to the citizen's eyes:
      scroll to it, highlight it and move keyboard focus to it. */
document.addEventListener("DOMContentLoaded", function () {
  var flag = document.querySelector("input[name=js]");
  if (flag) { flag.value = "1"; }
  var fresh = document.querySelector(".q.new");
  if (!fresh) { return; }
  fresh.classList.add("highlight");
  fresh.setAttribute("tabindex", "-1");
  fresh.scrollIntoView({block: "start"});
  fresh.focus({preventScroll: true});
});
