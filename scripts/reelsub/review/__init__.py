"""The review loop: subtitles published for people to fix, the review page, its server, the report page."""
