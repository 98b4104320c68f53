"""The reference web app: static ES modules built on the JavaScript SDK (``clients/js``)."""
