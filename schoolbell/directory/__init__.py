"""The directory: education offices, district offices, schools, people and their memberships."""
