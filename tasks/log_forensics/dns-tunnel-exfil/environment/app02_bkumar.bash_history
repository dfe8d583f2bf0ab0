#1783732915
uptime
#1783732951
systemctl status app
#1783736111
df -h
#1783736191
journalctl -u nginx --since today
#1783763657
uptime
#1783763764
ls -la /srv
#1783767246
df -h
#1783767253
tail -n 50 /var/log/syslog
#1783772357
systemctl status app
#1783772442
uptime
#1783810265
df -h
#1783810361
journalctl -u nginx --since today
#1783874440
df -h
#1783874457
tail -n 50 /var/log/syslog
#1783890814
systemctl status app
#1783890875
uptime
#1783896359
tail -n 50 /var/log/syslog
#1783896433
systemctl status app
#1783929188
ls -la /srv
#1783929285
df -h
#1783938996
free -m
#1783939062
journalctl -u nginx --since today
#1783940508
df -h
#1783940562
systemctl status app
#1783967010
free -m
#1783967105
journalctl -u nginx --since today
#1783992836
journalctl -u nginx --since today
#1783992937
free -m
#1783997864
uptime
#1783997933
df -h
#1783997980
free -m
#1783998018
free -m
#1784010459
uptime
#1784010549
ls -la /srv
#1784012347
df -h
#1784012417
uptime
#1784056432
systemctl status app
#1784056525
free -m
#1784058487
systemctl status app
#1784058597
journalctl -u nginx --since today
