<#
.SYNOPSIS
    Deploys wrapper services to many Windows hosts from one CSV, over
    PowerShell remoting.

.DESCRIPTION
    deploy.csv has the columns of `wrapper install --csv` plus `host`:

        host,name,config,start_mode,account
        web-1,api,api/api.yaml,,
        web-2,api,api/api.yaml,manual,
        web-2,billing-worker,billing/worker.yaml,,NT AUTHORITY\NetworkService

    `config` is relative to the folder of deploy.csv. For each host, in the
    order they first appear, the script:

      1. opens a session (New-PSSession, with -Credential when given);
      2. creates -Destination on the host and copies wrapper.exe, the YAMLs
         of that host's rows (keeping their relative paths) and a
         services.csv made of those rows (the CSV without `host`) into it
         (Copy-Item -ToSession);
      3. runs `wrapper.exe install --csv services.csv` there and reports its
         exit code and one line per service (installed, updated, unchanged
         or failed: reason).

    Nothing else is copied: the programs the YAMLs run must already be on
    the hosts (or be copied the same way by your own script). The files
    land where only administrators can change them (the default is under
    C:\Program Files), because `wrapper install` refuses files that other
    accounts can change. Services are installed or updated, not started:
    run `wrapper start` (or `wrapper restart` after an update) when you
    want that.

    With -WhatIf it checks deploy.csv and the files locally and says what
    it would do on each host, without connecting to any.

    It writes one result object per host (Host, Result, ExitCode, Services)
    and exits with 1 when a host failed: unreachable, a copy failed, or
    `install --csv` exited non-zero (1: a service failed, 2: a wrong row,
    nothing changed on that host; docs/fleet.md#batch-deploy).

    Untested: no PowerShell runs where the project is built and tested.
    The `wrapper install --csv` it runs is tested on Linux and under
    Wine's service manager.

.EXAMPLE
    .\deploy.ps1 -Path .\deploy.csv -WhatIf

.EXAMPLE
    .\deploy.ps1 -Path .\deploy.csv -Credential (Get-Credential CORP\deployer)
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The deploy CSV: host, name, config[, start_mode][, account].
    [Parameter(Mandatory)]
    [string] $Path,

    # The wrapper executable to copy (default: wrapper.exe beside the CSV).
    [string] $WrapperExe,

    # The folder on each host that receives wrapper.exe, the YAMLs and
    # services.csv.
    [string] $Destination = 'C:\Program Files\wrapper',

    # The account to connect with (default: the current one).
    [System.Management.Automation.PSCredential] $Credential
)

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

$csvPath = (Resolve-Path -LiteralPath $Path).ProviderPath
$root = Split-Path -Parent $csvPath
if (-not $WrapperExe) { $WrapperExe = Join-Path $root 'wrapper.exe' }
$WrapperExe = (Resolve-Path -LiteralPath $WrapperExe).ProviderPath

# Read and check the CSV here, before any host is touched: the columns,
# a host on every row, and every YAML present under the CSV's folder (its
# relative path is kept on the hosts). wrapper install --csv checks the
# rest on each host.
$rows = @(Import-Csv -LiteralPath $csvPath)
if ($rows.Count -eq 0) { throw "${csvPath}: no rows" }
$known = 'host', 'name', 'config', 'start_mode', 'account'
$columns = @($rows[0].PSObject.Properties.Name)
foreach ($c in $columns) {
    if ($known -notcontains $c.ToLowerInvariant()) { throw "${csvPath}: unknown column '$c' (the columns are $($known -join ', '))" }
}
foreach ($need in 'host', 'name', 'config') {
    if ($columns -notcontains $need) { throw "${csvPath}: the column '$need' is missing" }
}
$line = 1
foreach ($r in $rows) {
    $line++
    if (-not $r.host) { throw "${csvPath}:${line}: host: empty" }
    if ([System.IO.Path]::IsPathRooted($r.config)) { throw "${csvPath}:${line}: config: must be relative to the CSV's folder, to be copied" }
    if (-not (Test-Path -LiteralPath (Join-Path $root $r.config) -PathType Leaf)) { throw "${csvPath}:${line}: config: $($r.config) not found under $root" }
}

# The columns wrapper install --csv takes; an absent optional column
# becomes empty cells (the YAML's value).
$serviceColumns = 'name', 'config', 'start_mode', 'account'

$results = foreach ($group in ($rows | Group-Object -Property host)) {
    $hostName = $group.Name
    $hostRows = @($group.Group)
    $yamls = @($hostRows | ForEach-Object { $_.config } | Sort-Object -Unique)
    $result = [pscustomobject]@{ Host = $hostName; Result = ''; ExitCode = $null; Services = @() }
    $what = "copy wrapper.exe, $($yamls.Count) YAML(s) and services.csv to $Destination, then run wrapper install --csv for $($hostRows.Count) service(s)"
    if (-not $PSCmdlet.ShouldProcess($hostName, $what)) {
        $result.Result = 'what-if'
        $result.Services = @($hostRows | ForEach-Object { "$($_.name): would be installed or updated" })
        $result
        continue
    }
    $session = $null
    $localCsv = $null
    try {
        $params = @{ ComputerName = $hostName }
        if ($Credential) { $params.Credential = $Credential }
        $session = New-PSSession @params

        # This host's services.csv, written locally, then copied.
        $localCsv = Join-Path ([System.IO.Path]::GetTempPath()) ("wrapper-$hostName-" + [guid]::NewGuid() + '.csv')
        $hostRows | Select-Object -Property $serviceColumns | Export-Csv -LiteralPath $localCsv -NoTypeInformation -Encoding UTF8

        # Folders first: Copy-Item -ToSession does not create them.
        $folders = @($Destination) + @($yamls | ForEach-Object { Split-Path -Parent (Join-Path $Destination $_) }) | Sort-Object -Unique
        Invoke-Command -Session $session -ScriptBlock {
            param($dirs)
            foreach ($d in $dirs) { New-Item -ItemType Directory -Force -Path $d | Out-Null }
        } -ArgumentList (, $folders)

        Copy-Item -LiteralPath $WrapperExe -Destination (Join-Path $Destination 'wrapper.exe') -ToSession $session -Force
        foreach ($y in $yamls) {
            Copy-Item -LiteralPath (Join-Path $root $y) -Destination (Join-Path $Destination $y) -ToSession $session -Force
        }
        Copy-Item -LiteralPath $localCsv -Destination (Join-Path $Destination 'services.csv') -ToSession $session -Force

        # Run it there; its stdout has one line per service, stderr the
        # warnings and problems. Both come back as text.
        $run = Invoke-Command -Session $session -ScriptBlock {
            param($dir)
            $out = & (Join-Path $dir 'wrapper.exe') install --csv (Join-Path $dir 'services.csv') 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out) }
        } -ArgumentList $Destination
        $result.ExitCode = $run.ExitCode
        $result.Services = @($run.Output)
        $result.Result = if ($run.ExitCode -eq 0) { 'ok' } else { 'failed' }
    }
    catch {
        $result.Result = 'unreachable or copy failed'
        $result.Services = @("$_")
    }
    finally {
        if ($session) { Remove-PSSession -Session $session }
        if ($localCsv -and (Test-Path -LiteralPath $localCsv)) { Remove-Item -LiteralPath $localCsv }
    }
    $result
}

# One block per host: its result, then what wrapper said per service.
foreach ($r in $results) {
    $code = if ($null -ne $r.ExitCode) { " (exit $($r.ExitCode))" } else { '' }
    Write-Host "$($r.Host): $($r.Result)$code"
    foreach ($s in $r.Services) { Write-Host "    $s" }
}
$results

if (@($results | Where-Object { $_.Result -ne 'ok' -and $_.Result -ne 'what-if' }).Count -gt 0) { exit 1 }
