<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>tenovos::MainWindow</name>
    <message numerus="yes">
        <source>Added %n file(s) to the queue.</source>
        <translation>
            <numerusform>Added %n file to the queue.</numerusform>
            <numerusform>Added %n files to the queue.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) already in the queue were skipped.</source>
        <translation>
            <numerusform>%n file already in the queue was skipped.</numerusform>
            <numerusform>%n files already in the queue were skipped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Uploading %n file(s).</source>
        <translation>
            <numerusform>Uploading %n file.</numerusform>
            <numerusform>Uploading %n files.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n file(s) uploaded</source>
        <translation>
            <numerusform>%1 of %n file uploaded</numerusform>
            <numerusform>%1 of %n files uploaded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) are still uploading. Signing out cancels them.</source>
        <translation>
            <numerusform>%n file is still uploading. Signing out cancels it.</numerusform>
            <numerusform>%n files are still uploading. Signing out cancels them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) are not uploaded yet. Cancel them and quit?</source>
        <translation>
            <numerusform>%n file is not uploaded yet. Cancel it and quit?</numerusform>
            <numerusform>%n files are not uploaded yet. Cancel them and quit?</numerusform>
        </translation>
    </message>
</context>
</TS>
