"""Subtitles: the standard as rules, cues built from spoken words, subtitle files, frames and QC."""
