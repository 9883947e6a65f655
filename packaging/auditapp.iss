; Inno Setup script: a per-machine installer for the one-folder program in dist\auditapp\
; (python dev.py package, on Windows). The Windows workflow compiles it:
;
;   iscc /DAppVersion=0.1.0 packaging\auditapp.iss
;   iscc /DAppVersion=0.1.0 /DSign "/Sauditapp=signtool.exe sign ... $f" packaging\auditapp.iss
;
; which writes dist\auditapp-0.1.0-setup.exe. For council IT (see README, "For council IT"):
;   install    auditapp-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;   uninstall  "C:\Program Files\auditapp\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; (/LOG="path" writes a log of either.)
;
; What it does: installs under Program Files (for all users, as an administrator, where
; AppLocker's default rules allow programs to run and users cannot change them), adds a
; Start menu entry and opens .auditbundle files in auditapp. What it never does: touch a
; user's data. Uninstalling removes only what it installed; %LOCALAPPDATA%\auditapp\ (the
; databases and their backups) and the settings under HKCU\Software\auditapp stay.

#ifndef AppVersion
  #error Give the version: iscc /DAppVersion=X.Y.Z packaging\auditapp.iss
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\auditapp"
#endif
#define IconFile "..\build\pyinstaller\auditapp\icon\auditapp.ico"

[Setup]
; The same id in every version: a new version installs over the old one.
AppId={{55AAE391-B10D-4E50-B2DB-E7EC59E3DB38}
AppName=auditapp
AppVersion={#AppVersion}
AppVerName=auditapp {#AppVersion}
AppPublisher=auditapp
AppComments=Case file audits of care leavers' pathway plans
VersionInfoVersion={#AppVersion}
; Per machine, under Program Files (64-bit), for every user of the laptop.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DefaultDirName={autopf}\auditapp
DisableDirPage=auto
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
MinVersion=10.0
; An open auditapp is closed (it saves as it goes) and not restarted by the installer.
CloseApplications=yes
RestartApplications=no
ChangesAssociations=yes
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\auditapp.exe
UninstallDisplayName=auditapp {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\dist
OutputBaseFilename=auditapp-{#AppVersion}-setup
#ifdef Sign
; The installer and its uninstaller signed with the tool named "auditapp" on the command line.
SignTool=auditapp
SignedUninstaller=yes
#endif

[InstallDelete]
; An upgrade replaces the program whole: a library an older version had and this one has
; not would otherwise stay beside it. Only the program's own folder is touched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\auditapp"; Filename: "{app}\auditapp.exe"; Comment: "Case file audits of care leavers' pathway plans"

[Registry]
; .auditbundle files open in auditapp, which offers to import them (auditapp.exe FILE).
Root: HKA; Subkey: "Software\Classes\.auditbundle"; ValueType: string; ValueName: ""; ValueData: "auditapp.bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.auditbundle\OpenWithProgids"; ValueType: string; ValueName: "auditapp.bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\auditapp.bundle"; ValueType: string; ValueName: ""; ValueData: "auditapp audit bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\auditapp.bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\auditapp.exe,0"
Root: HKA; Subkey: "Software\Classes\auditapp.bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\auditapp.exe"" ""%1"""

[Run]
Filename: "{app}\auditapp.exe"; Description: "Start auditapp"; Flags: nowait postinstall skipifsilent
