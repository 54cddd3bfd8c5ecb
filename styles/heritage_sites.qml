<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: heritage sites, categorised by status (re-used, conversion candidate, other);
     candidates are labelled with their rank. -->
<qgis version="{{qgis_version}}" styleCategories="AllStyleCategories" labelsEnabled="1" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0">
  <renderer-v2 type="categorizedSymbol" attr="{{expression}}" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">
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
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="CASE WHEN &quot;candidate_rank&quot; IS NOT NULL THEN '#' || to_string(&quot;candidate_rank&quot;) END" isExpression="1" fontSize="8" fontSizeUnit="Point" fontWeight="75" textColor="{{label_colour}}" textOpacity="1" namedStyle="Bold">
        <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="1" bufferJoinStyle="128"/>
      </text-style>
      <placement placement="{{label_placement}}" dist="1" distUnits="MM" priority="8" quadOffset="2" offsetType="0"/>
      <rendering obstacle="1" scaleVisibility="1" scaleMin="0" scaleMax="250000" drawLabels="1" displayAll="1" upsidedownLabels="0" limitNumLabels="0"/>
    </settings>
  </labeling>
{{>qml_footer.xml}}
</qgis>
