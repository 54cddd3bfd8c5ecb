<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: city outlines and names, a layer of the embedded project only (the cities layer once more): every city is drawn, with or without a creative_index, and named — the cities with clusters at any scale, the others from 1:1,500,000 on. -->
<qgis version="{{qgis_version}}" styleCategories="AllStyleCategories" labelsEnabled="1" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">
    <symbols>
{{#classes}}
{{>qml_symbol.xml}}
{{/classes}}
    </symbols>
    <rotation/>
    <sizescale/>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="{{label_expression}}" isExpression="1" fontFamily="DejaVu Sans" fontSize="8" fontSizeUnit="Point" fontWeight="50" textColor="40,40,40,255" textOpacity="1" namedStyle="Book">
        <text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferJoinStyle="128"/>
      </text-style>
      <placement placement="{{label_placement}}" dist="1" distUnits="MM" priority="9" quadOffset="1" offsetType="0" fitInPolygonOnly="0"/>
      <rendering obstacle="0" drawLabels="1" displayAll="0" upsidedownLabels="0" limitNumLabels="0" scaleVisibility="0"/>
    </settings>
  </labeling>
{{>qml_footer.xml}}
</qgis>
