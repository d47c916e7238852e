@echo off
rem install.bat - installs and starts the service described by the YAML beside the wrapper.
rem Put it beside wrapper.exe and wrapper.yaml (or a renamed copy: set EXE below) and run it;
rem it asks for administrator rights when it does not have them.
setlocal
set "EXE=%~dp0wrapper.exe"

rem "net session" succeeds only in an elevated prompt.
net session >nul 2>&1
if errorlevel 1 (
  echo Asking for administrator rights...
  powershell -NoProfile -Command "Start-Process -FilePath '%~f0' -Verb RunAs -Wait"
  exit /b
)

"%EXE%" validate
if errorlevel 1 goto failed
"%EXE%" install
if errorlevel 1 goto failed
"%EXE%" start
if errorlevel 1 goto failed
"%EXE%" status
pause
exit /b 0

:failed
echo.
echo Installation failed. See the message above; "wrapper help" lists the exit codes.
pause
exit /b 1
