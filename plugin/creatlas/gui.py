"""The Processing dialog's field choosers: a field is guessed, never forced.

When a layer is chosen in the dialog, each of its field parameters pre-selects
the field the core's guess list names for that key (`_creatlas.guess_field`, the
same list `creatlas init` reads: `name`, «название», «наименование», `population`,
«население», `lon`/`lat` of a table without geometry, …). The user can change
every guess. A table whose lon/lat columns were guessed and which declares no CRS
also gets EPSG:4326 in its CRS parameter, which the user can change too.

The dialog creates this wrapper from the parameter's metadata
(`widget_wrapper`), so qgis_process and processing.run never import it.
"""

import warnings

from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer

from processing.gui.wrappers import TableFieldWidgetWrapper

from . import core

# The parameter metadata key that says which declared key a field parameter is.
GUESS = "creatlas_guess"
# The layers that carry [formation]'s fields, by the field parameter that reacts
# when the layer changes; the fields guessed there.
FORMATION_HOSTS = (("cluster_attributes", "key_field"), ("clusters", "id_field"))
FORMATION_FIELDS = ("initiator_field", "public_share_field", "opened_field")


def guess_for_layer(section, key, layer, needs_no_geometry):
    """The guessed field of `layer` for section/key, or "" (also used by the tests)."""
    if layer is None or not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return ""
    if needs_no_geometry and layer.isSpatial():
        return ""
    module = core.module
    if module is None:
        return ""
    return module.guess_field(section, key, [f.name() for f in layer.fields()])


class GuessedFieldWrapper(TableFieldWidgetWrapper):
    """A field combo box that pre-selects the guessed field of the parent layer."""

    def __init__(self, *args, **kwargs):
        with warnings.catch_warnings():
            # TableFieldWidgetWrapper warns that it is deprecated (QGIS 4 drops it);
            # it is the one wrapper QGIS 3.22 lets a plugin extend.
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(*args, **kwargs)
        self._siblings = {}
        self.guessed = ""

    def postInitialize(self, wrappers):  # noqa: N802
        self._siblings = {w.parameterDefinition().name(): w for w in wrappers}
        super().postInitialize(wrappers)

    def refreshItems(self):  # noqa: N802
        super().refreshItems()
        meta = self.parameterDefinition().metadata().get(GUESS) or {}
        if not meta:
            return
        self.guessed = guess_for_layer(meta["section"], meta["key"], self._layer,
                                       meta.get("needs_no_geometry", False))
        if self.guessed:
            self.widget.setField(self.guessed)
            if meta["key"] == "x_field":
                self._guess_crs(meta["section"])
        if (meta["section"], meta["key"]) in FORMATION_HOSTS:
            self._guess_formation_fields()

    def _guess_formation_fields(self):
        """[formation]'s initiator, public share and opening-year fields live in the
        cluster attributes or on the clusters: guessed from the layer just chosen,
        where the dialog still holds no value or the declared default."""
        module = core.module
        if module is None or self._layer is None:
            return
        fields = [f.name() for f in self._layer.fields()]
        for key in FORMATION_FIELDS:
            wrapper = self._siblings.get("formation_" + key)
            guess = module.guess_field("formation", key, fields)
            if wrapper is None or not guess:
                continue
            current = wrapper.parameterValue()
            default = wrapper.parameterDefinition().defaultValue()
            if not current or current == default:
                wrapper.setParameterValue(guess, self.context)

    def _guess_crs(self, section):
        """Lon/lat columns of a table without a CRS: WGS 84, unless the user set one."""
        crs_wrapper = self._siblings.get("{}_crs".format(section))
        if crs_wrapper is None or self._layer is None or self._layer.crs().isValid():
            return
        current = crs_wrapper.parameterValue()
        if isinstance(current, QgsCoordinateReferenceSystem):
            if current.isValid():
                return
        elif current and QgsCoordinateReferenceSystem(str(current)).isValid():
            return
        crs_wrapper.setParameterValue("EPSG:4326", self.context)
