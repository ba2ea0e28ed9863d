"""bracelets: a subsystem of the operations center; see DESIGN.md. Its domain arrives with its issue."""
