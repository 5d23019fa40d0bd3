// Loaded as the first thing in <body> (a file, not inline, for the Content-Security-Policy): NHS.UK
// frontend styles its components for JavaScript only when these classes are on <body>.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
