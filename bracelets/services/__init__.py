"""Every write of the bracelets app. `evaluation` receives and judges positions (the only place that
does); `registry` keeps devices, people, orders, zones and absences; `retention` purges."""
