"""QtGui's plugins, cut down to those a widgets app on a council laptop uses.

Overrides PyInstaller's own hook for ``PySide6.QtGui`` (hooks in ``packaging/hooks`` come
first), which collects every plugin type of Qt Gui. Filtering here, before PyInstaller looks
for the plugins' own libraries, is what keeps those libraries out: the virtual keyboard plugin
alone pulls in QtQuick and QML, the GTK theme the whole of GTK 3.
"""

from __future__ import annotations

from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

#: For each plugin type, the plugins kept (by name without "lib" and the suffix); a type
#: not named here is left out whole.
KEPT_PLUGINS = {
    # The window system: Windows, X11 (Linux), macOS, and offscreen for the smoke test.
    "platforms": {"qwindows", "qxcb", "qcocoa", "qoffscreen", "qminimal"},
    # OpenGL on X11; QtCharts links QtOpenGL, the widgets draw without it.
    "xcbglintegrations": {"qxcb-glx-integration", "qxcb-egl-integration"},
    # The desktop's file dialogs on Linux (a D-Bus portal, no GTK).
    "platformthemes": {"qxdgdesktopportal"},
    # Dead keys and input methods on X11 (accented names).
    "platforminputcontexts": {"composeplatforminputcontextplugin",
                              "ibusplatforminputcontextplugin"},
    # Image formats beyond PNG (built in): the icon and SVG theme icons.
    "imageformats": {"qico", "qsvg"},
    "iconengines": {"qsvgicon"},
}


def _kept(destination: str, source: str) -> bool:
    parts = PurePath(destination).parts
    if "plugins" not in parts:
        return True
    kind = "/".join(parts[parts.index("plugins") + 1:])
    name = PurePath(source).name.split(".")[0].removeprefix("lib")
    return name in KEPT_PLUGINS.get(kind, set())


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(source, destination) for source, destination in binaries
            if _kept(destination, source)]
