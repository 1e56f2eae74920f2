"""Staff sign-in hardening: the lockout page, TOTP enrolment and verification for admin."""
