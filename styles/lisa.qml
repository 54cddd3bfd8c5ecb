<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: the lisa layer of `creatlas stats lisa -o`, categorised by LISA quadrant (HH, LH, LL, HL) or not significant. -->
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
