// Starts Swagger UI on /docs. An external file, not an inline script, so that the page's
// Content-Security-Policy can allow same-origin scripts only. The OpenAPI URL comes from
// the script tag's data-openapi-url attribute.
"use strict";
(function () {
  const openapiUrl = document.currentScript.dataset.openapiUrl;
  window.ui = SwaggerUIBundle({
    url: openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    persistAuthorization: false,
    // The default validator is an image from validator.swagger.io: nothing leaves this origin.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
