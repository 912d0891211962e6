"""Public and integrator intake routes: messages, provider webhooks, raw e-mail, web chat."""
