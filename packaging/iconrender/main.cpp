// tenovos-iconrender: draws the application icon from its one SVG source into
// the raster files the installers need, at build time. It replaces
// ImageMagick or rsvg-convert, so building the packages needs nothing beyond
// Qt SVG, which the window already uses.
//
//   tenovos-iconrender ICON.svg [--png SIZE=FILE]... [--ico FILE] [--iconset FOLDER]
//
// --png    one square PNG of SIZE pixels (the Linux hicolor theme)
// --ico    a Windows icon with 16 to 256 pixel images (installer, .exe resource)
// --iconset a macOS .iconset folder, which iconutil turns into an .icns file

#include <QBuffer>
#include <QCommandLineParser>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QCoreApplication>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgRenderer>

#include <cstdio>
#include <optional>
#include <vector>

namespace tenovos {

namespace {

// Sizes in the Windows .ico file, from the 16-pixel list icon to the
// 256-pixel large icon.
const std::vector<int> kIcoSizes{16, 24, 32, 48, 64, 128, 256};

// The files of a macOS .iconset folder: the name iconutil expects and the
// pixel size of the image.
struct IconsetEntry
{
    const char *fileName;
    int size;
};

const std::vector<IconsetEntry> kIconsetEntries{
    {"icon_16x16.png", 16},      {"icon_16x16@2x.png", 32},   {"icon_32x32.png", 32},
    {"icon_32x32@2x.png", 64},   {"icon_128x128.png", 128},   {"icon_128x128@2x.png", 256},
    {"icon_256x256.png", 256},   {"icon_256x256@2x.png", 512}, {"icon_512x512.png", 512},
    {"icon_512x512@2x.png", 1024},
};

constexpr int kMaxSize = 4096;

void printError(const QString &message)
{
    std::fprintf(stderr, "tenovos-iconrender: %s\n", qPrintable(message));
}

// Draws the SVG into a transparent square image, keeping its aspect ratio.
QImage render(QSvgRenderer &renderer, int size)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    renderer.render(&painter, QRectF(0, 0, size, size));
    painter.end();
    return image.convertToFormat(QImage::Format_ARGB32);
}

// Writes data to path through QSaveFile, so a failed run leaves no
// half-written file that the build would take as up to date.
bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create the folder %1").arg(QDir::toNativeSeparators(info.absolutePath()));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

QByteArray encodePng(const QImage &image)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return data;
}

// Encodes one image of an .ico file as a device-independent bitmap. It is a
// BITMAPINFOHEADER whose height counts the colour rows and the mask rows,
// then 32-bit BGRA rows from the bottom up, then the 1-bit AND mask rows,
// each padded to 4 bytes, in which 1 marks a transparent pixel.
QByteArray encodeIcoBitmap(const QImage &image)
{
    const int width = image.width();
    const int height = image.height();
    const int maskRowBytes = ((width + 31) / 32) * 4;

    QByteArray data;
    QDataStream stream(&data, QIODevice::WriteOnly);
    stream.setByteOrder(QDataStream::LittleEndian);
    stream << quint32(40) << qint32(width) << qint32(height * 2) << quint16(1) << quint16(32) << quint32(0)
           << quint32(width * height * 4 + maskRowBytes * height) << qint32(0) << qint32(0) << quint32(0)
           << quint32(0);

    for (int y = height - 1; y >= 0; --y) {
        const auto *row = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < width; ++x)
            stream << quint8(qBlue(row[x])) << quint8(qGreen(row[x])) << quint8(qRed(row[x])) << quint8(qAlpha(row[x]));
    }
    for (int y = height - 1; y >= 0; --y) {
        const auto *row = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        QByteArray mask(maskRowBytes, '\0');
        for (int x = 0; x < width; ++x) {
            if (qAlpha(row[x]) == 0)
                mask[x / 8] = char(mask.at(x / 8) | (0x80 >> (x % 8)));
        }
        stream.writeRawData(mask.constData(), int(mask.size()));
    }
    return data;
}

// Builds an .ico file: the ICONDIR header, one 16-byte ICONDIRENTRY per
// image, then the images. The 256-pixel image is stored as PNG, which
// Windows Vista and later read and which keeps the file small. The smaller
// ones are bitmaps, which every icon reader accepts.
QByteArray encodeIco(QSvgRenderer &renderer)
{
    std::vector<QByteArray> images;
    for (const int size : kIcoSizes) {
        const QImage image = render(renderer, size);
        images.push_back(size >= 256 ? encodePng(image) : encodeIcoBitmap(image));
    }

    QByteArray data;
    QDataStream stream(&data, QIODevice::WriteOnly);
    stream.setByteOrder(QDataStream::LittleEndian);
    stream << quint16(0) << quint16(1) << quint16(kIcoSizes.size());
    quint32 offset = 6 + 16 * quint32(kIcoSizes.size());
    for (size_t index = 0; index < kIcoSizes.size(); ++index) {
        const int size = kIcoSizes.at(index);
        // A width or height byte of 0 means 256 pixels.
        const quint8 dimension = size >= 256 ? 0 : quint8(size);
        stream << dimension << dimension << quint8(0) << quint8(0) << quint16(1) << quint16(32)
               << quint32(images.at(index).size()) << offset;
        offset += quint32(images.at(index).size());
    }
    for (const QByteArray &image : images)
        stream.writeRawData(image.constData(), int(image.size()));
    return data;
}

// Parses "SIZE=FILE" of --png.
std::optional<std::pair<int, QString>> parsePngRequest(const QString &value)
{
    const qsizetype equals = value.indexOf(QLatin1Char('='));
    if (equals <= 0 || equals == value.size() - 1)
        return std::nullopt;
    bool ok = false;
    const int size = value.left(equals).toInt(&ok);
    if (!ok || size < 1 || size > kMaxSize)
        return std::nullopt;
    return std::make_pair(size, value.mid(equals + 1));
}

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Draws the application icon from an SVG file into the PNG, "
                                                    ".ico and .iconset files of the installers."));
    parser.addHelpOption();
    const QCommandLineOption pngOption(QStringLiteral("png"),
                                       QStringLiteral("Write a square PNG of SIZE pixels (1 to 4096) to FILE. "
                                                      "Repeat for several sizes."),
                                       QStringLiteral("SIZE=FILE"));
    const QCommandLineOption icoOption(QStringLiteral("ico"),
                                       QStringLiteral("Write a Windows icon with 16, 24, 32, 48, 64, 128 and "
                                                      "256 pixel images to FILE."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption iconsetOption(QStringLiteral("iconset"),
                                           QStringLiteral("Write the PNG files of a macOS .iconset folder (16 "
                                                          "to 1024 pixels) into FOLDER."),
                                           QStringLiteral("FOLDER"));
    parser.addOptions({pngOption, icoOption, iconsetOption});
    parser.addPositionalArgument(QStringLiteral("svg"), QStringLiteral("The icon's SVG file."),
                                 QStringLiteral("ICON.svg"));
    parser.process(arguments);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printError(QStringLiteral("give exactly one SVG file (%1 given). Run with --help for the usage.")
                       .arg(positional.size()));
        return 2;
    }
    std::vector<std::pair<int, QString>> pngRequests;
    for (const QString &value : parser.values(pngOption)) {
        const std::optional<std::pair<int, QString>> request = parsePngRequest(value);
        if (!request) {
            printError(QStringLiteral("--png \"%1\" is invalid. Write it as SIZE=FILE with SIZE from 1 to %2, "
                                      "for example --png 48=icons/48x48/app.png.")
                           .arg(value)
                           .arg(kMaxSize));
            return 2;
        }
        pngRequests.push_back(*request);
    }
    if (pngRequests.empty() && !parser.isSet(icoOption) && !parser.isSet(iconsetOption)) {
        printError(QStringLiteral("nothing to write. Give --png, --ico or --iconset."));
        return 2;
    }

    const QString svgPath = positional.constFirst();
    QSvgRenderer renderer(svgPath);
    if (!renderer.isValid()) {
        printError(QStringLiteral("cannot read the SVG file %1. Check that it exists and uses only SVG Tiny 1.2 "
                                  "features, which is what Qt SVG draws.")
                       .arg(QDir::toNativeSeparators(svgPath)));
        return 1;
    }
    renderer.setAspectRatioMode(Qt::KeepAspectRatio);

    QString error;
    for (const auto &[size, path] : pngRequests) {
        if (!writeFile(path, encodePng(render(renderer, size)), &error)) {
            printError(error);
            return 1;
        }
    }
    if (parser.isSet(icoOption) && !writeFile(parser.value(icoOption), encodeIco(renderer), &error)) {
        printError(error);
        return 1;
    }
    if (parser.isSet(iconsetOption)) {
        const QDir folder(parser.value(iconsetOption));
        for (const IconsetEntry &entry : kIconsetEntries) {
            const QString path = folder.filePath(QString::fromLatin1(entry.fileName));
            if (!writeFile(path, encodePng(render(renderer, entry.size)), &error)) {
                printError(error);
                return 1;
            }
        }
    }
    return 0;
}

} // namespace

} // namespace tenovos

int main(int argc, char *argv[])
{
    // Drawing shapes into a QImage needs no platform plugin and no display,
    // so the tool runs on any build machine. Text would need a
    // QGuiApplication for its fonts, and the icon has none.
    QCoreApplication app(argc, argv);
    return tenovos::run(QCoreApplication::arguments());
}
