"""Meta platforms: Messenger, Instagram messaging and the WhatsApp Cloud API (one app secret
signs them all; each has its own payload shape and Graph API send endpoint)."""
