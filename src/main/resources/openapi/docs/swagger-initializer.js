// The gateway's own description, from the gateway itself. validatorUrl: null keeps Swagger UI from sending the
// description to validator.swagger.io (nothing here is fetched from outside; the page's CSP allows 'self' only).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
};
