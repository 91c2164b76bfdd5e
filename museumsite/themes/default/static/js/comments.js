// "Reply" under a comment: fills the comment form's "In reply to" with that comment and moves the focus
// to the comment box. Without JavaScript the link leads to the form, whose "In reply to" the reader sets.
// The "reply by e-mail" link follows the choice, so a mail names the comment answered too.
(function () {
  "use strict";
  var form = document.querySelector("form.comment-form");
  var parent = form && form.querySelector("select[name=parent]");
  var body = form && form.querySelector("textarea[name=body]");
  if (!parent || !body) { return; }
  var mail = document.querySelector(".comment-by-mail a");
  function follow() {
    var option = parent.options[parent.selectedIndex];
    if (mail && option && option.dataset.mailto) { mail.href = option.dataset.mailto; }
  }
  parent.addEventListener("change", follow);
  document.querySelectorAll("a.comment-reply[data-parent]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var known = Array.prototype.some.call(parent.options, function (option) {
        return option.value === link.dataset.parent;
      });
      if (!known) { return; }  // not in the list: the link leads to the form, as without JavaScript
      event.preventDefault();
      parent.value = link.dataset.parent;
      follow();
      body.focus();
    });
  });
})();
