@echo off
rem uninstall.bat - stops and deletes the service described by the YAML beside the wrapper.
rem It asks for administrator rights when it does not have them. Logs are kept.
setlocal
set "EXE=%~dp0wrapper.exe"

net session >nul 2>&1
if errorlevel 1 (
  echo Asking for administrator rights...
  powershell -NoProfile -Command "Start-Process -FilePath '%~f0' -Verb RunAs -Wait"
  exit /b
)

"%EXE%" uninstall
if errorlevel 1 (
  echo Uninstall failed (exit code %errorlevel%^).
  pause
  exit /b 1
)
pause
