"""The plugin in the user's language, as QGIS plugins do it: Qt translations
(i18n/creatlas_<language>.qm, compiled from the .ts files beside them by the
build) loaded for QGIS's locale setting.

Every text of the plugin's dialogs goes through tr(), in one translation
context, "creatlas"; the parameter labels, which are built from the core's
project-file declaration, are translated word group by word group
(section title, then key), so the .ts file lists each section and key once.
"""

import os

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "creatlas"
I18N_DIR = os.path.join(os.path.dirname(__file__), "i18n")

_translator = None


def tr(text):
    return QCoreApplication.translate(CONTEXT, text)


def user_language():
    """QGIS's language setting ("ru" of "ru_RU"), else the system's."""
    locale = QgsSettings().value("locale/userLocale", "") or ""
    if not locale or not QgsSettings().value("locale/overrideFlag", False, type=bool):
        locale = locale or QLocale.system().name()
    return str(locale)[:2]


def install():
    """Load the translation for the user's language, once (no file: English)."""
    global _translator
    if _translator is not None:
        return
    path = os.path.join(I18N_DIR, "creatlas_{}.qm".format(user_language()))
    if not os.path.exists(path):
        return
    translator = QTranslator()
    if translator.load(path):
        QCoreApplication.installTranslator(translator)
        _translator = translator
