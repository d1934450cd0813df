# Replaces PyInstaller's own hook for PySide6.QtGui (a hook in the spec's hookspath wins) to collect only
# the Qt plugins CRM Desktop uses. PyInstaller takes every plugin of every type QtGui may load, and with
# them the system libraries they link: the GTK platform theme alone brings GTK, GDK, cairo, pango and
# friends (~20 MB), which the app never asks for (it draws with Qt's own Fusion/Windows styles).
# Dropping a plugin here, before the binary analysis, also drops the libraries only it needed.
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Per plugin folder: the plugins kept (by name without "lib" and the extension: libqxcb.so, qxcb.dll and
# libqxcb.dylib are all "qxcb"), or None to keep the whole folder. A folder not listed is dropped.
KEEP = {
    # X11 and Wayland on Linux, Windows, macOS, and offscreen (the smoke test; headless runs)
    "platforms": {"qxcb", "qwayland", "qwayland-generic", "qwayland-egl", "qwindows", "qcocoa", "qoffscreen"},
    "platforms/darwin": None,
    # the XDG desktop portal (native file dialogs in sandboxes); never the GTK theme (libqgtk3)
    "platformthemes": {"qxdgdesktopportal"},
    # the icon is SVG; logos are PNG (built into QtGui) or JPEG; ICO for Windows
    "imageformats": {"qsvg", "qjpeg", "qico"},
    "iconengines": None,  # qsvgicon: QIcon of an .svg file
    # compose keys and IBus: typing Arabic, Cyrillic, Uzbek oʻ on Linux (not the virtual keyboard of
    # PySide6-Addons, which would bring Qt Quick and QML)
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "accessiblebridge": None,
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    # dropped: egldeviceintegrations and generic (input for the eglfs/linuxfb platforms, which are dropped)
}


def _kept(source: str, dest: str) -> bool:
    parts = Path(dest).as_posix().split("/")
    if "plugins" not in parts:
        return True
    folder = "/".join(parts[parts.index("plugins") + 1 :])
    if folder not in KEEP:
        return False
    wanted = KEEP[folder]
    name = Path(source).name.split(".")[0]
    return wanted is None or name.removeprefix("lib") in wanted


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(source, dest) for source, dest in binaries if _kept(source, dest)]
