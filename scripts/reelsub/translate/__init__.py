"""translate: IndicTrans2 through IndicTransToolkit, or Whisper's X to English."""
