// Parsing of API responses in the shapes the contract allows, the metadata
// items of a create call, and the error helpers.

#include "apierror.h"
#include "apitypes.h"
#include "metadatavalues.h"
#include "replyerror.h"

#include <QJsonDocument>
#include <QtTest>

using namespace tenovos;

namespace {

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QJsonValue value(const char *json)
{
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json));
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

MetadataAttribute attribute(MetadataAttribute::Type type, bool multipleSelect = false)
{
    MetadataAttribute result;
    result.id = QStringLiteral("attr-1");
    result.name = QStringLiteral("Region");
    result.type = type;
    result.multipleSelect = multipleSelect;
    result.vocabularyId = QStringLiteral("voc-1");
    return result;
}

Vocabulary regions()
{
    Vocabulary vocabulary;
    vocabulary.id = QStringLiteral("voc-1");
    vocabulary.values = {{QStringLiteral("v-emea"), QStringLiteral("EMEA")},
                         {QStringLiteral("v-na"), QStringLiteral("North America")}};
    return vocabulary;
}

} // namespace

class tst_ApiTypes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createdAssetShapes_data();
    void createdAssetShapes();
    void createdAssetMissingObjectId();
    void createdAssetMultipartWithoutUrls();
    void createdAssetSortsParts();
    void sessionTokensParse();
    void sessionTokensMissingField();
    void assetInfoParse();
    void securityTemplateListShapes_data();
    void securityTemplateListShapes();
    void metadataTemplateWrapped();
    void vocabularyShapes_data();
    void vocabularyShapes();
    void completeRequestBody();
    void createRequestOmitsFilesize();

    void metadataText();
    void metadataDate_data();
    void metadataDate();
    void metadataDateInvalid();
    void metadataVocabularySingle();
    void metadataVocabularyMultiple();
    void metadataVocabularyUnknownValue();
    void metadataVocabularyTooManyForSingle();
    void metadataMissingRequired();

    void stripUrlQueries_data();
    void stripUrlQueries();
    void errorBodyJson();
    void errorBodyS3Xml();
    void retryAfter_data();
    void retryAfter();
};

void tst_ApiTypes::createdAssetShapes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("multipart");
    QTest::addColumn<int>("urlCount");

    QTest::addRow("v1.5 multipart")
        << QByteArray(R"({"status":"success","message":"Asset created successfully","data":{
            "objectId":"o1","fileId":"f1","filename":"a.mp4","uploadId":"u1",
            "urls":[{"partNumber":1,"url":"https://s3/a?p=1"},{"partNumber":2,"url":"https://s3/a?p=2"}]}})")
        << true << 2;
    QTest::addRow("v1.5 single url")
        << QByteArray(R"({"status":"success","data":{"objectId":"o1","fileId":"f1","url":"https://s3/a?x=1"}})")
        << false << 0;
    QTest::addRow("v1 flat single url")
        << QByteArray(R"({"objectId":"o1","fileId":"f1","filename":"a.jpg","url":"https://s3/a?x=1"})")
        << false << 0;
    QTest::addRow("one-entry urls without uploadId")
        << QByteArray(R"({"data":{"objectId":"o1","fileId":"f1","urls":[{"partNumber":1,"url":"https://s3/a?x=1"}]}})")
        << false << 1;
}

void tst_ApiTypes::createdAssetShapes()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, multipart);
    QFETCH(int, urlCount);

    const Result<CreatedAsset> result =
        CreatedAsset::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("test"));
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value().objectId, QStringLiteral("o1"));
    QCOMPARE(result.value().fileId, QStringLiteral("f1"));
    QCOMPARE(result.value().isMultipart(), multipart);
    QCOMPARE(result.value().urls.size(), urlCount);
    if (!multipart)
        QVERIFY(result.value().url.startsWith("https://s3/a"));
}

void tst_ApiTypes::createdAssetMissingObjectId()
{
    const Result<CreatedAsset> result =
        CreatedAsset::fromJson(object(R"({"data":{"fileId":"f1","url":"https://s3/a"}})"),
                               QStringLiteral("POST /v1/assets/asset"));
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("objectId")));
    QVERIFY(result.error().userMessage().contains(QStringLiteral("objectId")));
}

void tst_ApiTypes::createdAssetMultipartWithoutUrls()
{
    const Result<CreatedAsset> result = CreatedAsset::fromJson(
        object(R"({"data":{"objectId":"o1","fileId":"f1","uploadId":"u1"}})"), QStringLiteral("t"));
    QVERIFY(!result.isOk());
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("urls")));
}

void tst_ApiTypes::createdAssetSortsParts()
{
    const Result<CreatedAsset> result = CreatedAsset::fromJson(
        object(R"({"data":{"objectId":"o1","fileId":"f1","uploadId":"u1","urls":[
            {"partNumber":3,"url":"https://s3/3"},{"partNumber":1,"url":"https://s3/1"},
            {"partNumber":2,"url":"https://s3/2"}]}})"),
        QStringLiteral("t"));
    QVERIFY(result.isOk());
    QCOMPARE(result.value().urls.at(0).partNumber, 1);
    QCOMPARE(result.value().urls.at(1).partNumber, 2);
    QCOMPARE(result.value().urls.at(2).partNumber, 3);
    QCOMPARE(result.value().urls.at(2).url, QByteArray("https://s3/3"));
}

void tst_ApiTypes::sessionTokensParse()
{
    const Result<SessionTokens> result = SessionTokens::fromJson(
        object(R"({"endpointUrl":"x","username":"demo","session":{"authorization":"auth",
            "accessToken":"acc","refreshToken":"ref","expireEpoch":1900000000}})"),
        QStringLiteral("t"));
    QVERIFY(result.isOk());
    QCOMPARE(result.value().authorization, QStringLiteral("auth"));
    QCOMPARE(result.value().accessToken, QStringLiteral("acc"));
    QCOMPARE(result.value().refreshToken, QStringLiteral("ref"));
    QCOMPARE(result.value().expireEpoch, qint64(1900000000));
    QCOMPARE(result.value().username, QStringLiteral("demo"));
}

void tst_ApiTypes::sessionTokensMissingField()
{
    const Result<SessionTokens> result = SessionTokens::fromJson(
        object(R"({"session":{"authorization":"auth","expireEpoch":1900000000}})"),
        QStringLiteral("t"));
    QVERIFY(!result.isOk());
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("accessToken")));
}

void tst_ApiTypes::assetInfoParse()
{
    const Result<AssetInfo> result = AssetInfo::fromJson(
        object(R"({"status":"success","message":"ok","data":{"objectId":"o1","fileId":"f2",
            "originalFileId":"f1","filename":"a.jpg","fileSizeInBytes":1234,"createdDate":"2024-01-01"}})"),
        QStringLiteral("t"));
    QVERIFY(result.isOk());
    QCOMPARE(result.value().fileId, QStringLiteral("f2"));
    QCOMPARE(result.value().originalFileId, QStringLiteral("f1"));
    QCOMPARE(result.value().fileSizeInBytes, qint64(1234));
}

void tst_ApiTypes::securityTemplateListShapes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("flat items") << QByteArray(R"([{"templateId":"t1","templateName":"One"},{"templateId":"t2","templateName":"Two"}])");
    QTest::addRow("template wrapper") << QByteArray(R"([{"template":{"templateId":"t1","templateName":"One"}},{"template":{"templateId":"t2","templateName":"Two"}}])");
    QTest::addRow("data list") << QByteArray(R"({"data":[{"templateId":"t1","templateName":"One"},{"id":"t2","name":"Two"}]})");
}

void tst_ApiTypes::securityTemplateListShapes()
{
    QFETCH(QByteArray, json);
    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonValue root = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const Result<SecurityTemplateList> result = SecurityTemplate::listFromJson(root, QStringLiteral("t"));
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value().size(), 2);
    QCOMPARE(result.value().at(0).id, QStringLiteral("t1"));
    QCOMPARE(result.value().at(0).name, QStringLiteral("One"));
    QCOMPARE(result.value().at(1).id, QStringLiteral("t2"));
}

void tst_ApiTypes::metadataTemplateWrapped()
{
    const Result<MetadataTemplate> result = MetadataTemplate::fromJson(
        value(R"({"template":{"templateId":"m1","templateName":"Marketing","metadataGroups":[
            {"groupOrder":2,"metadataGroupName":"Second","metadataAttributes":[
                {"id":"a3","name":"Region","type":"controlledVocabulary","required":true,
                 "controlledVocabularyId":"v1","isMultipleSelect":false,"fieldOrder":1}]},
            {"groupOrder":1,"metadataGroupName":"First","metadataAttributes":[
                {"id":"a2","name":"Description","type":"text","fieldOrder":2},
                {"id":"a1","name":"Title","type":"text","required":true,"fieldOrder":1},
                {"id":"a4","name":"Hidden","type":"text","visible":false,"readonly":true,"fieldOrder":3}]}]}})"),
        QStringLiteral("t"));
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    const MetadataTemplate &metadataTemplate = result.value();
    QCOMPARE(metadataTemplate.id, QStringLiteral("m1"));
    QCOMPARE(metadataTemplate.name, QStringLiteral("Marketing"));
    QCOMPARE(metadataTemplate.groups.size(), 2);
    QCOMPARE(metadataTemplate.groups.at(0).name, QStringLiteral("First"));

    const QList<MetadataAttribute> attributes = metadataTemplate.attributes();
    QCOMPARE(attributes.size(), 4);
    QCOMPARE(attributes.at(0).name, QStringLiteral("Title"));
    QCOMPARE(attributes.at(3).type, MetadataAttribute::Type::ControlledVocabulary);
    QCOMPARE(attributes.at(3).vocabularyId, QStringLiteral("v1"));
    QVERIFY(!attributes.at(2).visible);
    QVERIFY(attributes.at(2).readOnly);

    QVERIFY(metadataTemplate.findAttribute(QStringLiteral("title")));
    QCOMPARE(metadataTemplate.findAttribute(QStringLiteral("a3"))->name, QStringLiteral("Region"));
    QVERIFY(!metadataTemplate.findAttribute(QStringLiteral("Unknown")));
}

void tst_ApiTypes::vocabularyShapes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("bare list") << QByteArray(R"([{"valueId":"v1","valueName":"EMEA"},{"valueId":"v2","valueName":"APAC"}])");
    QTest::addRow("values key") << QByteArray(R"({"values":[{"valueId":"v1","valueName":"EMEA"},{"valueId":"v2","valueName":"APAC"}]})");
    QTest::addRow("metadata document") << QByteArray(R"({"metadataDefinitionId":"voc","metadataDocument":{"values":[{"valueId":"v1","valueName":"EMEA"},{"valueId":"v2","valueName":"APAC"}]}})");
}

void tst_ApiTypes::vocabularyShapes()
{
    QFETCH(QByteArray, json);
    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonValue root = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const Result<Vocabulary> result = Vocabulary::fromJson(QStringLiteral("voc"), root, QStringLiteral("t"));
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value().values.size(), 2);
    QCOMPARE(result.value().findValue(QStringLiteral("apac"))->id, QStringLiteral("v2"));
    QCOMPARE(result.value().findValue(QStringLiteral("v1"))->name, QStringLiteral("EMEA"));
}

void tst_ApiTypes::completeRequestBody()
{
    CompleteUploadRequest request;
    request.fileId = QStringLiteral("f1");
    request.filename = QStringLiteral("a.mp4");
    request.filesize = 123;
    request.uploadId = QStringLiteral("u1");
    request.parts = {{1, QByteArray("\"etag-1\"")}, {2, QByteArray("\"etag-2\"")}};
    const QJsonObject body = request.toJson();
    QCOMPARE(body.value(QLatin1String("action")).toString(), QStringLiteral("complete"));
    QCOMPARE(body.value(QLatin1String("filesize")).toInteger(), qint64(123));
    QVERIFY(!body.contains(QLatin1String("originalFileId")));
    const QJsonArray parts = body.value(QLatin1String("parts")).toArray();
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(0).toObject().value(QLatin1String("etag")).toString(), QStringLiteral("\"etag-1\""));
    QCOMPARE(parts.at(1).toObject().value(QLatin1String("partNumber")).toInt(), 2);

    request.action = CompleteUploadRequest::Action::Cancel;
    QCOMPARE(request.toJson().value(QLatin1String("action")).toString(), QStringLiteral("cancel"));
}

void tst_ApiTypes::createRequestOmitsFilesize()
{
    CreateAssetRequest request;
    request.filename = QStringLiteral("a.jpg");
    request.securityTemplateIds = {QStringLiteral("s1")};
    request.metadataTemplateId = QStringLiteral("m1");
    QVERIFY(!request.toJson().contains(QLatin1String("filesize")));
    QVERIFY(request.toJson().value(QLatin1String("metadata")).isArray());
    request.filesize = 0;
    QCOMPARE(request.toJson().value(QLatin1String("filesize")).toInteger(), qint64(0));
}

void tst_ApiTypes::metadataText()
{
    const Result<QJsonObject> item =
        MetadataValues::itemFromText(attribute(MetadataAttribute::Type::Text), QStringLiteral("Spring; sale"), nullptr);
    QVERIFY(item.isOk());
    QCOMPARE(item.value().value(QLatin1String("metadataDefinitionId")).toString(), QStringLiteral("attr-1"));
    QCOMPARE(item.value().value(QLatin1String("metadataDefinitionValue")).toString(), QStringLiteral("Spring; sale"));
}

void tst_ApiTypes::metadataDate_data()
{
    QTest::addColumn<QString>("input");
    QTest::addRow("ISO") << QStringLiteral("2024-03-09");
    QTest::addRow("US") << QStringLiteral("03/09/2024");
    QTest::addRow("US short") << QStringLiteral("3/9/2024");
}

void tst_ApiTypes::metadataDate()
{
    QFETCH(QString, input);
    const Result<QJsonObject> item =
        MetadataValues::itemFromText(attribute(MetadataAttribute::Type::Date), input, nullptr);
    QVERIFY(item.isOk());
    QCOMPARE(item.value().value(QLatin1String("metadataDefinitionValue")).toString(), QStringLiteral("03/09/2024"));
}

void tst_ApiTypes::metadataDateInvalid()
{
    const Result<QJsonObject> item = MetadataValues::itemFromText(
        attribute(MetadataAttribute::Type::Date), QStringLiteral("31.03.2024"), nullptr);
    QVERIFY(!item.isOk());
    QCOMPARE(item.error().kind(), ApiError::Kind::InvalidRequest);
    QVERIFY(item.error().userMessage().contains(QStringLiteral("31.03.2024")));
    QVERIFY(item.error().userMessage().contains(QStringLiteral("YYYY-MM-DD")));
}

void tst_ApiTypes::metadataVocabularySingle()
{
    const Vocabulary vocabulary = regions();
    const Result<QJsonObject> item = MetadataValues::itemFromText(
        attribute(MetadataAttribute::Type::ControlledVocabulary), QStringLiteral("emea"), &vocabulary);
    QVERIFY(item.isOk());
    const QJsonValue value = item.value().value(QLatin1String("metadataDefinitionValue"));
    QVERIFY(value.isObject());
    QCOMPARE(value.toObject().value(QLatin1String("valueId")).toString(), QStringLiteral("v-emea"));
}

void tst_ApiTypes::metadataVocabularyMultiple()
{
    const Vocabulary vocabulary = regions();
    const Result<QJsonObject> item = MetadataValues::itemFromText(
        attribute(MetadataAttribute::Type::ControlledVocabulary, true),
        QStringLiteral("EMEA; v-na"), &vocabulary);
    QVERIFY(item.isOk());
    const QJsonArray values = item.value().value(QLatin1String("metadataDefinitionValue")).toArray();
    QCOMPARE(values.size(), 2);
    QCOMPARE(values.at(0).toObject().value(QLatin1String("valueId")).toString(), QStringLiteral("v-emea"));
    QCOMPARE(values.at(1).toObject().value(QLatin1String("valueId")).toString(), QStringLiteral("v-na"));
}

void tst_ApiTypes::metadataVocabularyUnknownValue()
{
    const Vocabulary vocabulary = regions();
    const Result<QJsonObject> item = MetadataValues::itemFromText(
        attribute(MetadataAttribute::Type::ControlledVocabulary), QStringLiteral("Mars"), &vocabulary);
    QVERIFY(!item.isOk());
    QVERIFY(item.error().userMessage().contains(QStringLiteral("Mars")));
    QVERIFY(item.error().userMessage().contains(QStringLiteral("North America")));
}

void tst_ApiTypes::metadataVocabularyTooManyForSingle()
{
    const Vocabulary vocabulary = regions();
    const Result<QJsonObject> item = MetadataValues::itemFromText(
        attribute(MetadataAttribute::Type::ControlledVocabulary), QStringLiteral("EMEA;North America"),
        &vocabulary);
    QVERIFY(!item.isOk());
    QVERIFY(item.error().userMessage().contains(QStringLiteral("Region")));
}

void tst_ApiTypes::metadataMissingRequired()
{
    MetadataTemplate metadataTemplate;
    MetadataGroup group;
    MetadataAttribute title = attribute(MetadataAttribute::Type::Text);
    title.id = QStringLiteral("title");
    title.name = QStringLiteral("Title");
    title.required = true;
    MetadataAttribute hidden = title;
    hidden.id = QStringLiteral("hidden");
    hidden.visible = false;
    MetadataAttribute optional = title;
    optional.id = QStringLiteral("optional");
    optional.required = false;
    group.attributes = {title, hidden, optional};
    metadataTemplate.groups = {group};

    QList<MetadataAttribute> missing = MetadataValues::missingRequired(metadataTemplate, QJsonArray());
    QCOMPARE(missing.size(), 1);
    QCOMPARE(missing.constFirst().id, QStringLiteral("title"));

    const QJsonArray items{MetadataValues::textItem(QStringLiteral("title"), QStringLiteral("x"))};
    QVERIFY(MetadataValues::missingRequired(metadataTemplate, items).isEmpty());
}

void tst_ApiTypes::stripUrlQueries_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addRow("presigned")
        << QStringLiteral("Error transferring https://bucket.s3.amazonaws.com/masters/a%20b.jpg?X-Amz-Signature=abc&X-Amz-Security-Token=xyz - server replied: Forbidden")
        << QStringLiteral("Error transferring https://bucket.s3.amazonaws.com/masters/a%20b.jpg - server replied: Forbidden");
    QTest::addRow("quoted") << QStringLiteral("\"http://127.0.0.1:1/x?token=1\"") << QStringLiteral("\"http://127.0.0.1:1/x\"");
    QTest::addRow("no url") << QStringLiteral("What? Nothing.") << QStringLiteral("What? Nothing.");
    QTest::addRow("two urls")
        << QStringLiteral("http://a/1?s=1 and https://b/2?t=2")
        << QStringLiteral("http://a/1 and https://b/2");
}

void tst_ApiTypes::stripUrlQueries()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(ApiError::stripUrlQueries(input), expected);

    ApiError error(ApiError::Kind::Network, input);
    QCOMPARE(error.userMessage(), expected);
}

void tst_ApiTypes::errorBodyJson()
{
    const detail::ServerText text = detail::parseErrorBody(
        QByteArray(R"json({"message":"Invalid Asset: Missing Security Template ID(s)","detail":"securityTemplateIds is empty"})json"));
    QCOMPARE(text.message, QStringLiteral("Invalid Asset: Missing Security Template ID(s): securityTemplateIds is empty"));
}

void tst_ApiTypes::errorBodyS3Xml()
{
    const detail::ServerText text = detail::parseErrorBody(QByteArray(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
        "<Message>Request has expired</Message><RequestId>1</RequestId></Error>"));
    QCOMPARE(text.code, QStringLiteral("AccessDenied"));
    QCOMPARE(text.message, QStringLiteral("Request has expired"));
}

void tst_ApiTypes::retryAfter_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("expected");
    QTest::addRow("seconds") << QByteArray("5") << 5;
    QTest::addRow("missing") << QByteArray() << -1;
    QTest::addRow("garbage") << QByteArray("soon") << -1;
    QTest::addRow("past date") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << 0;
}

void tst_ApiTypes::retryAfter()
{
    QFETCH(QByteArray, header);
    QFETCH(int, expected);
    QCOMPARE(detail::parseRetryAfter(header), expected);
}

QTEST_GUILESS_MAIN(tst_ApiTypes)
#include "tst_apitypes.moc"
