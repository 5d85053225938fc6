/* Behaviour every page shares. The Content-Security-Policy allows no inline script or event
 * handler attributes, so templates mark elements with data-* attributes and this file acts on
 * them. Listeners sit on the document, so content HTMX swaps in later works too. */
(function () {
  "use strict";

  // <select data-autosubmit>, or any select of a <form data-autosubmit>: submit the form as
  // soon as the choice changes (a <noscript> button does it without JavaScript).
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (
      field instanceof HTMLSelectElement &&
      field.form &&
      (field.hasAttribute("data-autosubmit") || field.form.hasAttribute("data-autosubmit"))
    ) {
      field.form.submit();
    }
  });

  // <form data-clean-query> (the list filters): its HTMX GET leaves out the empty fields, so
  // that the URL it pushes states just the chosen filters, ready to bookmark or share.
  document.addEventListener("htmx:configRequest", function (event) {
    const detail = event.detail;
    if (!(detail.elt instanceof HTMLFormElement) || !detail.elt.hasAttribute("data-clean-query")) {
      return;
    }
    const data = detail.formData;
    const names = new Set(data.keys());
    names.forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) {
        data.delete(name);
      }
    });
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
