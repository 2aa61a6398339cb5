"""TinyPSA, an imaginary PSA, as an ncesync plug-in: the provider (`tinypsa.provider`), an
emulator of its REST API (`tinypsa.emulator`) and a conformance kit (`tinypsa.kit`)."""
