"""Reading a message: language now; intent and emotion come with the trained classifier."""
