/// The hidden form field that carries the browser's form token; every form that posts includes it.
func csrfField(_ token: String) -> HTML { "<input type=\"hidden\" name=\"_csrf\" value=\"\(token)\">" }
