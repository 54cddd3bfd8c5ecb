<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- creatlas: city_years, graduated by ih_transformation_rate with fixed bounds (classes.json breaks), the same in every year; temporal by year. -->
<qgis version="{{qgis_version}}" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" readOnly="0">
  <renderer-v2 type="graduatedSymbol" attr="{{field}}" graduatedMethod="GraduatedColor" forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">
    <ranges>
{{#classes}}
      <range lower="{{lower}}" upper="{{upper}}" label="{{label}}" symbol="{{index}}" render="true"/>
{{/classes}}
    </ranges>
    <symbols>
{{#classes}}
{{>qml_symbol.xml}}
{{/classes}}
    </symbols>
    <classificationMethod id="Quantile">
      <symmetricMode enabled="0" symmetrypoint="0" astride="0"/>
      <labelFormat format="%1 – %2" labelprecision="{{decimals}}" trimtrailingzeroes="0"/>
      <parameters>
        <Option/>
      </parameters>
      <extraInformation/>
    </classificationMethod>
    <rotation/>
    <sizescale/>
  </renderer-v2>
{{>qml_footer.xml}}
</qgis>
