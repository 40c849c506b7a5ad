"""Prevention lessons: bilingual Markdown content, its validation, rendering and CLI."""
