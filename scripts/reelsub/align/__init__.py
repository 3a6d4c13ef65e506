"""align: word-level times (wav2vec2 through WhisperX, or Whisper's own) and speakers."""
