<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: outlines of cities given as polygons (the cities layer holds a point on each); one light symbol in the main layer's palette. -->
<qgis version="{{qgis_version}}" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">
    <symbols>
{{#classes}}
{{>qml_symbol.xml}}
{{/classes}}
    </symbols>
    <rotation/>
    <sizescale/>
  </renderer-v2>
{{>qml_footer.xml}}
</qgis>
