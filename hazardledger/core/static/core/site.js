/* Behaviour every page shares. The Content-Security-Policy allows no inline script or event
 * handler attributes, so templates mark elements with data-* attributes and this file acts on
 * them. Listeners sit on the document, so content HTMX swaps in later works too. */
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form as soon as the choice changes (a <noscript>
  // button does it without JavaScript).
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  // <form data-confirm="question">: ask first; "Cancel" sends nothing. Capture phase, so that
  // a cancelled submit never reaches the form's own listeners (HTMX).
  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target;
      if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );
})();
