"""Test and demo media: films made on the spot (synth), Kokoro speech, stream checks. Not part of the workflow."""
