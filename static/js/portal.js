// AHP Portal: start the NHS.UK frontend components (header menu, error summary focus, skip link,
// radios and checkboxes with conditional content, notification banners, character counts).
// Loaded as a module from templates/base.html, so it runs once the document is parsed and only in
// browsers the NHS.UK frontend supports (static/js/js-enabled.js marks <body> first); without it
// every page still works.
import { initAll } from "../nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

initAll();
