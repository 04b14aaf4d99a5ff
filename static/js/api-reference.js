// The API reference page: Swagger UI over the API's own OpenAPI document (no inline script, so
// the page keeps the site's Content-Security-Policy).
(function () {
  "use strict";
  var holder = document.getElementById("api-reference");
  if (!holder || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: holder.getAttribute("data-document"),
    domNode: holder,
    // Without deep links an operation's path is text, not a link inside its toggle button.
    deepLinking: false,
    // Nothing leaves the site: no validator badge fetched from elsewhere.
    validatorUrl: null,
    tryItOutEnabled: false,
    supportedSubmitMethods: ["get", "post"],
  });
})();
