"""Textual front end of tongket: browse and question the archive from the keyboard."""
