<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: hexagonal cells of each city, categorised by their Getis-Ord Gi* label (hot/cold spot at 99, 95, 90 % or not significant);
     cells without points keep their class hue at a low opacity (not significant ones vanish), by a data-defined colour. -->
<qgis version="{{qgis_version}}" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0">
  <renderer-v2 type="categorizedSymbol" attr="{{field}}" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">
    <categories>
{{#classes}}
      <category value="{{value}}" label="{{label}}" symbol="{{index}}" render="true"/>
{{/classes}}
    </categories>
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
