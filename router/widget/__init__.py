"""The customers' web-chat widget (plain JavaScript, served by router.api.widget) and the
demo shop page that embeds it."""
