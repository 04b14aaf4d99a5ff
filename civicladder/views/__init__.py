"""The shell's blueprints: sign-in and passwords, the home page, administration."""
