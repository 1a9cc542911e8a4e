"""Demos inside the app: the player, the caption bar, and the asciicast/SVG recorder.

* :mod:`tui.demo.app` — :class:`DemoApp`, the playground app with a caption bar that plays a
  scenario (``stsplay demo NAME``);
* :mod:`tui.demo.player` — :class:`AppPlayer`, the steps carried out through the app's widgets,
  with pause, step forward and take-over;
* :mod:`tui.demo.pacing` — how time passes: on the real clock (live) or timer by timer on the
  virtual clock, capturing a frame after each (recording);
* :mod:`tui.demo.cast` — asciicast v2 writing and ANSI frames of the rendered screen;
* :mod:`tui.demo.recorder` — :func:`record`, the app played headlessly into a cast and SVGs;
* :mod:`tui.demo.cli` — the ``stsplay demo`` subcommand's functions.
"""
