"""The central's front door: limits and authentication before a body is read (guard, limits), short typed
refusals (errors) and the key that signs every answer to a device (answerkey). Below the routes, above storage."""
