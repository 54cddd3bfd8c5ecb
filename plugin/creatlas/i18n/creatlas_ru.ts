<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Russian texts of the plugin's dialogs (context "creatlas", see ../i18n.py).
     Compiled to creatlas_ru.qm by the build (lrelease); the formation-type and
     indicator terms follow docs/terms-ru.md. -->
<TS version="2.1" language="ru_RU">
<context>
    <name>creatlas</name>
    <message>
        <source>Creative cluster atlas</source>
        <translation>Атлас креативных кластеров</translation>
    </message>
    <message>
        <source>Build creative-cluster atlas</source>
        <translation>Построить атлас креативных кластеров</translation>
    </message>
    <message>
        <source>Link cluster attributes</source>
        <translation>Связать атрибуты кластеров</translation>
    </message>
    <message>
        <source>Overlay heritage sites with support programmes</source>
        <translation>Наложить объекты наследия на программы поддержки</translation>
    </message>
    <message>
        <source>Compute indicators</source>
        <translation>Рассчитать показатели</translation>
    </message>
    <message>
        <source>Classify formation type</source>
        <translation>Определить тип формирования</translation>
    </message>
    <message>
        <source>Atlas GeoPackage</source>
        <translation>GeoPackage атласа</translation>
    </message>
    <message>
        <source>Write the atlas to a PostGIS connection (instead of the GeoPackage)</source>
        <translation>Записать атлас в подключение PostGIS (вместо GeoPackage)</translation>
    </message>
    <message>
        <source>A PostgreSQL connection known to QGIS. The atlas goes into one schema in one transaction: a table per layer, the default styles in public.layer_styles, the QGIS project in the schema's qgis_projects (Project → Open From → PostgreSQL).</source>
        <translation>Подключение PostgreSQL, известное QGIS. Атлас записывается в одну схему одной транзакцией: таблица на каждый слой, стили по умолчанию в public.layer_styles, проект QGIS в таблице qgis_projects схемы (Проект → Открыть из → PostgreSQL).</translation>
    </message>
    <message>
        <source>PostGIS schema of the atlas</source>
        <translation>Схема PostGIS для атласа</translation>
    </message>
    <message>
        <source>Print the atlas (atlas.pdf, report.html)</source>
        <translation>Напечатать атлас (atlas.pdf, report.html)</translation>
    </message>
    <message>
        <source>Project file</source>
        <translation>Файл проекта</translation>
    </message>
    <message>
        <source>A creatlas project file (TOML). Its inputs and settings are used where this dialog leaves a value unset; values set here override it.</source>
        <translation>Файл проекта creatlas (TOML). Его входные данные и настройки используются там, где значение в этом окне не задано; заданные здесь значения имеют приоритет.</translation>
    </message>
    <message>
        <source>Project file of the run (creatlas run reproduces it)</source>
        <translation>Файл проекта этого запуска (creatlas run воспроизводит его)</translation>
    </message>
    <message>
        <source>QGIS exports the print layout stored in the GeoPackage's project: a cover and one page per city with clusters.</source>
        <translation>QGIS экспортирует макет печати из проекта, сохранённого в GeoPackage: обложку и по странице на каждый город с кластерами.</translation>
    </message>
    <message>
        <source>Atlas layers (URIs of the GeoPackage's layers)</source>
        <translation>Слои атласа (URI слоёв GeoPackage)</translation>
    </message>
    <message>
        <source>Atlas PDF</source>
        <translation>PDF атласа</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Отчёт</translation>
    </message>
    <message>
        <source>Run report (JSON: sources, repaired and skipped features, unmatched keys, features written per layer)</source>
        <translation>Отчёт о расчёте (JSON: источники, исправленные и пропущенные объекты, ключи без пары, число объектов по слоям)</translation>
    </message>
    <message>
        <source>Cities with indicators</source>
        <translation>Города с показателями</translation>
    </message>
    <message>
        <source>Clusters with indicators</source>
        <translation>Кластеры с показателями</translation>
    </message>
    <message>
        <source>Linked clusters</source>
        <translation>Связанные кластеры</translation>
    </message>
    <message>
        <source>Unmatched keys</source>
        <translation>Ключи без пары</translation>
    </message>
    <message>
        <source>Clusters matched to an attribute row</source>
        <translation>Кластеры, нашедшие строку атрибутов</translation>
    </message>
    <message>
        <source>Heritage × programme overlaps</source>
        <translation>Пересечения наследия и программ</translation>
    </message>
    <message>
        <source>Heritage sites with programme counts</source>
        <translation>Объекты наследия с числом программ</translation>
    </message>
    <message>
        <source>Programme zones with coverage counts</source>
        <translation>Зоны программ с числом охваченных объектов</translation>
    </message>
    <message>
        <source>Site × zone overlaps</source>
        <translation>Пересечения объектов и зон</translation>
    </message>
    <message>
        <source>Clusters with formation type</source>
        <translation>Кластеры с типом формирования</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Проект</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Связи</translation>
    </message>
    <message>
        <source>Cities</source>
        <translation>Города</translation>
    </message>
    <message>
        <source>City areas</source>
        <translation>Территории городов</translation>
    </message>
    <message>
        <source>Clusters</source>
        <translation>Кластеры</translation>
    </message>
    <message>
        <source>Heritage</source>
        <translation>Наследие</translation>
    </message>
    <message>
        <source>Programmes</source>
        <translation>Программы</translation>
    </message>
    <message>
        <source>Cluster attributes</source>
        <translation>Атрибуты кластеров</translation>
    </message>
    <message>
        <source>Grants</source>
        <translation>Гранты</translation>
    </message>
    <message>
        <source>Enterprises</source>
        <translation>Предприятия</translation>
    </message>
    <message>
        <source>Formation</source>
        <translation>Тип формирования</translation>
    </message>
    <message>
        <source>Industrial</source>
        <translation>Промышленные объекты</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>Уровень города</translation>
    </message>
    <message>
        <source>Candidate</source>
        <translation>Кандидаты</translation>
    </message>
    <message>
        <source>Creative index</source>
        <translation>Креативный индекс</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Статистика</translation>
    </message>
    <message>
        <source>amount field</source>
        <translation>поле суммы</translation>
    </message>
    <message>
        <source>basemap url</source>
        <translation>URL подложки</translation>
    </message>
    <message>
        <source>capital field</source>
        <translation>поле столицы</translation>
    </message>
    <message>
        <source>capital values</source>
        <translation>значения столицы</translation>
    </message>
    <message>
        <source>category field</source>
        <translation>поле категории</translation>
    </message>
    <message>
        <source>category values</source>
        <translation>значения категории</translation>
    </message>
    <message>
        <source>centre x field</source>
        <translation>поле X центра</translation>
    </message>
    <message>
        <source>centre y field</source>
        <translation>поле Y центра</translation>
    </message>
    <message>
        <source>city max distance m</source>
        <translation>макс. расстояние до города, м</translation>
    </message>
    <message>
        <source>components</source>
        <translation>компоненты</translation>
    </message>
    <message>
        <source>crs</source>
        <translation>система координат</translation>
    </message>
    <message>
        <source>dependent share</source>
        <translation>доля для зависимого типа</translation>
    </message>
    <message>
        <source>geometry policy</source>
        <translation>обработка геометрии</translation>
    </message>
    <message>
        <source>grant field</source>
        <translation>поле гранта</translation>
    </message>
    <message>
        <source>heritage snap m</source>
        <translation>привязка к объекту наследия, м</translation>
    </message>
    <message>
        <source>hex cell m</source>
        <translation>размер шестиугольника, м</translation>
    </message>
    <message>
        <source>id field</source>
        <translation>поле идентификатора</translation>
    </message>
    <message>
        <source>initiator field</source>
        <translation>поле инициатора</translation>
    </message>
    <message>
        <source>instrument field</source>
        <translation>поле инструмента</translation>
    </message>
    <message>
        <source>joint values</source>
        <translation>значения «совместный»</translation>
    </message>
    <message>
        <source>key field</source>
        <translation>ключевое поле</translation>
    </message>
    <message>
        <source>keywords</source>
        <translation>ключевые слова</translation>
    </message>
    <message>
        <source>language</source>
        <translation>язык</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>слой</translation>
    </message>
    <message>
        <source>name</source>
        <translation>название</translation>
    </message>
    <message>
        <source>name field</source>
        <translation>поле названия</translation>
    </message>
    <message>
        <source>open options</source>
        <translation>параметры открытия</translation>
    </message>
    <message>
        <source>opened field</source>
        <translation>поле года открытия</translation>
    </message>
    <message>
        <source>output</source>
        <translation>результат</translation>
    </message>
    <message>
        <source>path</source>
        <translation>путь</translation>
    </message>
    <message>
        <source>population field</source>
        <translation>поле населения</translation>
    </message>
    <message>
        <source>private values</source>
        <translation>значения «частный»</translation>
    </message>
    <message>
        <source>programme field</source>
        <translation>поле программы</translation>
    </message>
    <message>
        <source>public share field</source>
        <translation>поле доли государства</translation>
    </message>
    <message>
        <source>public values</source>
        <translation>значения «государственный»</translation>
    </message>
    <message>
        <source>reference year</source>
        <translation>расчётный год</translation>
    </message>
    <message>
        <source>second max population</source>
        <translation>макс. население второго уровня</translation>
    </message>
    <message>
        <source>second min population</source>
        <translation>мин. население второго уровня</translation>
    </message>
    <message>
        <source>support share</source>
        <translation>доля для поддержанного типа</translation>
    </message>
    <message>
        <source>weight centrality</source>
        <translation>вес центральности</translation>
    </message>
    <message>
        <source>weight clusters</source>
        <translation>вес близости кластеров</translation>
    </message>
    <message>
        <source>weight footprint</source>
        <translation>вес площади</translation>
    </message>
    <message>
        <source>weight programmes</source>
        <translation>вес программ</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>веса</translation>
    </message>
    <message>
        <source>wkt field</source>
        <translation>поле WKT</translation>
    </message>
    <message>
        <source>x field</source>
        <translation>поле X</translation>
    </message>
    <message>
        <source>y field</source>
        <translation>поле Y</translation>
    </message>
    <message>
        <source>Builds the creative-cluster atlas as one styled GeoPackage: clusters linked to cities, industrial-heritage sites and support-programme zones; formation types; city indicators of urban-space transformation; conversion candidates among industrial sites. The same run as `creatlas run` on a project file with these inputs and settings. With "Print the atlas", atlas.pdf (a cover and one page per city with clusters) and report.html are written beside the GeoPackage.</source>
        <translation>Строит атлас креативных кластеров в одном оформленном GeoPackage: кластеры, связанные с городами, объектами промышленного наследия и зонами программ поддержки; типы формирования; показатели трансформации городского пространства; кандидаты на приспособление среди промышленных объектов. Тот же расчёт, что `creatlas run` по файлу проекта с этими данными и параметрами. С флажком «Напечатать атлас» рядом с GeoPackage записываются atlas.pdf (обложка и по странице на каждый город с кластерами) и report.html.</translation>
    </message>
    <message>
        <source>Computes the indicators of urban-space transformation on existing layers: per city (clusters per 100,000 inhabitants, industrial heritage re-used, programme coverage, type diversity, the creative index …) and per cluster (distance to the centre, centrality, heritage, programmes). Distances are geodesic metres on the WGS 84 ellipsoid.</source>
        <translation>Рассчитывает показатели трансформации городского пространства по имеющимся слоям: для городов (кластеры на 100 000 жителей, доля приспособленного промышленного наследия, охват программами, разнообразие типов, креативный индекс …) и для кластеров (расстояние до центра, центральность, наследие, программы). Расстояния — геодезические, в метрах на эллипсоиде WGS 84.</translation>
    </message>
    <message>
        <source>Joins a table of cluster attributes (and, optionally, grants) to the clusters by key. Keys are compared trimmed, case-folded and in Unicode NFC; duplicate keys in the attribute table are an error. Returns the joined clusters and a table of the keys that found no partner, on either side.</source>
        <translation>Присоединяет к кластерам по ключу таблицу их атрибутов (и, при наличии, грантов). Ключи сравниваются без пробелов по краям, без учёта регистра и в нормальной форме Unicode NFC; повторяющиеся ключи в таблице атрибутов — ошибка. Возвращает связанные кластеры и таблицу ключей, не нашедших пары, с обеих сторон.</translation>
    </message>
    <message>
        <source>Overlays heritage sites with support-programme zones: one row per site × zone overlap with its area (heritage_programmes), the sites with the number of programmes reaching them, re-use by clusters and the conversion-candidate score of industrial sites, and the zones with the clusters and heritage sites they cover. Areas are in square metres, measured on the WGS 84 ellipsoid.</source>
        <translation>Накладывает объекты наследия на зоны программ поддержки: по строке на каждое пересечение объекта и зоны с его площадью (heritage_programmes), объекты с числом охватывающих программ, приспособлением кластерами и баллом кандидата для промышленных объектов, зоны с числом охваченных кластеров и объектов наследия. Площади — в квадратных метрах на эллипсоиде WGS 84.</translation>
    </message>
    <message>
        <source>Classifies each creative cluster into one of five formation types by how the public and private sectors took part in founding it, read from its initiator (private, joint or public) and the public share of its founding money: 1 initiative, 2 initiative supported, 3 partnership, 4 public-led, 5 dependent. The attributes may be on the clusters themselves or in a cluster attribute table joined by key. Adds formation_type and formation_label.</source>
        <translation>Относит каждый креативный кластер к одному из пяти типов формирования по участию государства и бизнеса в его создании: по инициатору (частный, совместный или государственный) и доле государства в стартовых средствах: 1 инициативный, 2 инициативный с господдержкой, 3 партнёрский, 4 государственный с участием бизнеса, 5 зависимый. Атрибуты могут быть в самих кластерах или в таблице атрибутов, присоединяемой по ключу. Добавляет formation_type и formation_label.</translation>
    </message>
</context>
</TS>
